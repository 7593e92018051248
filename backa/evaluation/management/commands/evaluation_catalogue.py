"""Print the indicator catalogue (Markdown) or the research codebook, from the definitions in code."""

from django.core.management.base import BaseCommand

from backa.evaluation.indicators import catalogue_markdown
from backa.evaluation.research import codebook_markdown


class Command(BaseCommand):
    help = "Print the indicator catalogue as Markdown (docs/evaluation.md), or --codebook."

    def add_arguments(self, parser):
        parser.add_argument("--codebook", action="store_true")

    def handle(self, *args, **options):
        self.stdout.write(codebook_markdown() if options["codebook"] else catalogue_markdown())

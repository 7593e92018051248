"""Tagged PDF (PDF/UA-1) from a standalone HTML template, with WeasyPrint.

The HTML carries the structure (lang, title, headings, lists, tables with th scope);
WeasyPrint's pdf/ua-1 variant turns it into tags, so the PDF reads out in a screen reader
in the same order as the page. Nothing outside the document is fetched while rendering.
"""

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


def _no_fetch(url, *args, **kwargs):
    raise ValueError("External resources are not loaded into PDFs")


def render_pdf_ua(
    request, template: str, context: dict, *, filename: str, stylesheet: str = "forums/print.css"
) -> HttpResponse:
    import weasyprint

    html = render_to_string(template, {**context, "for_pdf": True}, request=request)
    pdf = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[weasyprint.CSS(filename=finders.find(stylesheet))],
        pdf_variant="pdf/ua-1",
        url_fetcher=_no_fetch,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

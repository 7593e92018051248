from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def assessment_list(request):
    return render(request, "impact/list.html", {"assessments": []})

from django.http import Http404


def template_for_page(model, page, template_id: str):
    template = model.objects.filter(page=page, id=template_id).first()
    if template is None:
        raise Http404("Template not found.")
    return template

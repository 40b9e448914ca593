"""The refs a dump gives its records; every dumping part names its references the same way.

Users are named by e-mail, providers and services by slug, OMSes by name; the rest
by the ids and iids the records keep, so a dump reads like the API's addresses.
"""


def offer_ref(service_slug: str, iid: int) -> str:
    return f"{service_slug}/{iid}"


def bundle_ref(service_slug: str, iid: int) -> str:
    return f"{service_slug}/bundle-{iid}"


def project_ref(project_id: int) -> str:
    return f"project-{project_id}"


def order_ref(project_id: int, iid: int) -> str:
    return f"{project_ref(project_id)}/{iid}"


def asset_ref(provider_slug: str, name: str) -> str:
    return f"{provider_slug}/{name}"

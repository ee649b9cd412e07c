"""The page in its reader's language: the selector, then Accept-Language, then the page's
default; per-language cached copies; feeds, emails and SMS translated; machine documents not."""

import re
from gettext import GNUTranslations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import dateformat, translation

from incidents.services import incident_create
from subscribers.models import Subscriber
from tests.factories import ComponentFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parent.parent / "locale"
TRANSLATED = ["fr", "de", "es", "ja"]
COOKIE = django_settings.LANGUAGE_COOKIE_NAME

# (language, a component's "operational", the banner's "All Systems Operational")
WORDS = [
    ("en", "Operational", "All Systems Operational"),
    ("fr", "Opérationnel", "Tous les systèmes sont opérationnels"),
    ("de", "Betriebsbereit", "Alle Systeme betriebsbereit"),
    ("es", "Operativo", "Todos los sistemas operativos"),
    ("ja", "稼働中", "すべてのシステムが正常に稼働中"),
]


@pytest.fixture
def components_page(page):
    ComponentFactory(page=page, name="API")
    return page


def _with_cookie(language: str) -> Client:
    client = Client()
    client.cookies[COOKIE] = language
    return client


def _language(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.content.decode()).group(1)


def _component_status(response) -> str:
    match = re.search(
        r'<span class="status status-\w+" data-status="\w+">([^<]+)</span>',
        (response.content.decode()),
    )
    return match.group(1)


def _banner(response) -> str:
    return re.search(r'<div class="banner[^>]*>([^<]+)</div>', response.content.decode()).group(1)


@pytest.mark.parametrize(("language", "operational", "banner"), WORDS)
def test_the_page_speaks_each_language_the_selector_offers(
    components_page, language, operational, banner
):
    response = Client().get("/pages/acme/", {"lang": language})
    assert response.status_code == 200
    assert _language(response) == language
    assert _component_status(response) == operational
    assert _banner(response) == banner
    assert response.cookies[COOKIE].value == language  # the choice holds on the next pages


@pytest.mark.parametrize(("language", "operational", "banner"), WORDS)
def test_accept_language_picks_the_readers_language(components_page, language, operational, banner):
    header = f"it;q=1.0, {language}-XX;q=0.8, en;q=0.1"
    response = Client().get("/pages/acme/", HTTP_ACCEPT_LANGUAGE=header)
    assert _language(response) == language
    assert _component_status(response) == operational
    assert COOKIE not in response.cookies  # only the selector sets it


def test_the_selector_overrides_accept_language_and_its_cookie_keeps_the_choice(components_page):
    reader = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert _language(reader.get("/pages/acme/")) == "de"
    chosen = reader.get("/pages/acme/", {"lang": "fr"})
    assert _language(chosen) == "fr"
    assert _language(reader.get("/pages/acme/")) == "fr"  # the cookie now wins
    assert _language(reader.get("/pages/acme/", {"lang": "es"})) == "es"
    assert _language(reader.get("/pages/acme/")) == "es"


def test_the_pages_default_language_applies_when_nothing_the_reader_asks_for_matches(
    components_page,
):
    components_page.default_language = "de"
    components_page.save()
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "it, pt;q=0.5"}, {"HTTP_ACCEPT_LANGUAGE": "*"}):
        response = Client().get("/pages/acme/", **headers)
        assert _language(response) == "de"
        assert _component_status(response) == "Betriebsbereit"
    unknown = Client().get("/pages/acme/", {"lang": "xx"})
    assert _language(unknown) == "de" and COOKIE not in unknown.cookies
    refused = Client().get("/pages/acme/", HTTP_ACCEPT_LANGUAGE="fr;q=0, it")
    assert _language(refused) == "de"  # q=0 means "not French"


def test_a_cached_page_is_never_served_in_another_readers_language(
    components_page, monkeypatch, django_assert_num_queries
):
    """Each language is its own cached copy, in the view and in the early cache middleware:
    a French copy never reaches an English reader, nor an English one a French reader."""
    from public import views

    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    assert _language(Client().get("/pages/acme/", **french)) == "fr"  # built, stored
    assert _language(Client().get("/pages/acme/", **english)) == "en"  # a miss: built
    assert _language(Client().get("/pages/acme/")) == "en"  # the default: its own copy

    def no_view(*args, **kwargs):
        raise AssertionError("a current document reached the view")

    monkeypatch.setattr(views, "status_page_view", no_view)
    monkeypatch.setattr("django.core.handlers.base.BaseHandler.resolve_request", no_view)
    with django_assert_num_queries(0):  # answered by the early middleware from the cache
        early_french = Client().get("/pages/acme/", **french)
        early_english = Client().get("/pages/acme/", **english)
        by_cookie = _with_cookie("fr").get("/pages/acme/", **english)
    assert _language(early_french) == "fr" and _component_status(early_french) == "Opérationnel"
    assert _language(early_english) == "en" and _component_status(early_english) == "Operational"
    assert _language(by_cookie) == "fr"
    for response in (early_french, early_english, by_cookie):
        assert response["Vary"] == "Accept-Language, Cookie"
    assert early_french["ETag"] != early_english["ETag"]
    # A French ETag does not make an English reader's copy "not modified".
    monkeypatch.undo()
    revalidated = Client().get("/pages/acme/", HTTP_IF_NONE_MATCH=early_french["ETag"], **english)
    assert revalidated.status_code == 200 and _language(revalidated) == "en"


def test_a_cached_page_is_never_served_in_another_language_through_the_view(
    components_page, settings
):
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "public.middleware.PublicCacheMiddleware"
    ]
    for _ in range(2):  # built, then from the cache
        assert _language(Client().get("/pages/acme/", HTTP_ACCEPT_LANGUAGE="ja")) == "ja"
        assert _language(Client().get("/pages/acme/", HTTP_ACCEPT_LANGUAGE="es")) == "es"
        assert _language(Client().get("/pages/acme/", {"lang": "de"})) == "de"
        assert _language(Client().get("/pages/acme/")) == "en"


def test_the_json_documents_stay_machine_values_whatever_the_reader_asks_for(components_page):
    response = Client().get(
        "/pages/acme/api/v2/summary.json", {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.json()["status"]["description"] == "All Systems Operational"
    assert response.json()["components"][0]["status"] == "operational"
    assert "Vary" not in response


def test_an_incident_shows_french_words_and_a_french_date_in_the_pages_time_zone(page):
    page.time_zone = "Europe/Paris"
    page.save()
    api = ComponentFactory(page=page, name="API")
    incident = incident_create(
        page=page,
        name="Erreurs sur l'API",
        message="Nous enquêtons.",
        component_statuses=[{"component_id": api.id, "status": "partial_outage"}],
    )
    update = incident.updates.get()
    with translation.override("fr"):
        expected = dateformat.format(
            update.created_at.astimezone(ZoneInfo("Europe/Paris")), "j F Y H:i T"
        )
    status_page = Client().get("/pages/acme/", {"lang": "fr"}).content.decode()
    assert "Panne partielle du système" in status_page
    assert "Panne partielle</span>" in status_page
    assert "Investigation en cours" in status_page
    assert expected in status_page
    assert re.search(
        r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
        r"|décembre) \d{4} \d\d:\d\d CES?T",
        expected,
    )
    detail = Client().get(f"/pages/acme/incidents/{incident.id}", {"lang": "fr"})
    body = detail.content.decode()
    assert _language(detail) == "fr" and detail["Vary"] == "Accept-Language, Cookie"
    assert "Impact :" in body and "Début" in body and expected in body
    assert "← État actuel" in body
    assert _language(Client().get(f"/pages/acme/incidents/{incident.id}")) == "en"


def test_feeds_are_in_the_pages_default_language_or_the_one_the_url_names(page):
    incident_create(page=page, name="Database down", message="Looking.")
    english = Client().get("/pages/acme/history.rss", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<language>en</language>" in english and "Investigating" in english
    french = Client().get("/pages/acme/history.rss", {"lang": "fr"}).content.decode()
    assert "<language>fr</language>" in french
    assert "État de Acme - Historique des incidents" in french
    assert "Investigation en cours" in french
    page.default_language = "ja"
    page.save()
    atom = Client().get("/pages/acme/history.atom").content.decode()
    assert 'xml:lang="ja"' in atom and "調査中" in atom


def test_the_embedded_card_speaks_the_language_its_url_names(page):
    card = Client().get("/pages/acme/embed", {"lang": "es"}).content.decode()
    assert '<html lang="es">' in card and "Todos los sistemas operativos" in card
    assert "Ver la página de estado" in card
    assert '<html lang="en">' in Client().get("/pages/acme/embed").content.decode()


# --- messages ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("eager_celery")
def test_a_french_page_emails_and_texts_its_subscribers_in_french(
    page, caplog, django_capture_on_commit_callbacks
):
    page.default_language = "fr"
    page.save()
    api = ComponentFactory(page=page, name="API")
    SubscriberFactory(page=page, channel="email", email="reader@example.com", endpoint="")
    SubscriberFactory(page=page, channel="sms", phone_number="+14155550100", endpoint="")
    SubscriberFactory(
        page=page, channel="email", email="english@example.com", endpoint="", language="en"
    )
    with (
        caplog.at_level("INFO", logger="channels.transports.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        incident_create(
            page=page,
            name="API en panne",
            message="Nous enquêtons.",
            component_statuses=[{"component_id": api.id, "status": "major_outage"}],
        )
    french = next(m for m in mail.outbox if m.to == ["reader@example.com"])
    assert french.subject == "[Acme] API en panne - Investigation en cours"
    assert "API: Opérationnel → Panne majeure" in french.body
    assert "Vous recevez ce message car vous êtes abonné à Acme." in french.body
    assert '<html lang="fr">' in french.alternatives[0][0]
    assert "Voir la page d’état" in french.alternatives[0][0]
    english = next(m for m in mail.outbox if m.to == ["english@example.com"])
    assert english.subject == "[Acme] API en panne - Investigating"
    assert "[Acme] API en panne - Investigation en cours" in caplog.text
    assert "Arrêt : http" in caplog.text  # the unsubscribe link's word


@pytest.mark.usefixtures("eager_celery")
def test_a_reader_subscribing_from_the_french_page_is_written_to_in_french(
    page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(
            "/pages/acme/subscribe", {"subscriber[email]": "lea@example.com", "language": "fr"}
        )
    assert "Consultez votre boîte de réception" in answer.content.decode()
    assert Subscriber.objects.get(email="lea@example.com").language == "fr"
    confirmation = mail.outbox[-1]
    assert confirmation.subject == "[Acme] Confirmez votre abonnement"
    assert "Merci de confirmer" in confirmation.body


@pytest.mark.usefixtures("eager_celery")
def test_a_subscriber_through_the_public_api_gets_the_language_their_browser_asks_for(
    page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = Client().post(
            "/pages/acme/api/v2/subscribers.json",
            {"subscriber": {"email": "kai@example.com"}},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9",
        )
        Client().post(
            "/pages/acme/api/v2/subscribers.json",
            {"subscriber": {"email": "bot@example.com"}},
            content_type="application/json",
        )
    assert created.status_code == 201, created.content
    assert Subscriber.objects.get(email="kai@example.com").language == "de"
    assert Subscriber.objects.get(email="bot@example.com").language == ""  # the page's default
    german = next(m for m in mail.outbox if m.to == ["kai@example.com"])
    assert german.subject == "[Acme] Bestätigen Sie Ihr Abonnement"


# --- the management API ----------------------------------------------------------------------


def test_a_pages_default_language_is_set_read_and_changed_through_the_api(api, page):
    created = api.post(
        "/api/v1/status-pages",
        {"name": "Docs", "slug": "docs", "default_language": "ja"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["default_language"] == "ja"
    page_id = created.json()["id"]
    assert api.get(f"/api/v1/status-pages/{page.id}").json()["default_language"] == "en"
    changed = api.patch(
        f"/api/v1/status-pages/{page_id}", {"default_language": "es"}, format="json"
    )
    assert changed.json()["default_language"] == "es"
    assert changed.json()["name"] == "Docs"
    refused = api.patch(
        f"/api/v1/status-pages/{page_id}", {"default_language": "it"}, format="json"
    )
    assert refused.status_code == 400
    assert "default_language" in refused.json()["error"]["details"]
    assert _language(Client().get("/pages/docs/")) == "es"


def test_a_subscriber_made_through_the_api_may_be_given_a_language(api, page):
    url = f"/api/v1/status-pages/{page.id}/subscribers"
    made = api.post(
        url, {"channel": "email", "email": "x@example.com", "language": "fr"}, format="json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["language"] == "fr"
    plain = api.post(url, {"channel": "email", "email": "y@example.com"}, format="json")
    assert plain.json()["language"] == ""
    bad = api.post(
        url, {"channel": "email", "email": "z@example.com", "language": "xx"}, format="json"
    )
    assert bad.status_code == 400


# --- the translations themselves -------------------------------------------------------------


_PO_ESCAPE = re.compile(r"\\(.)")
_PO_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _po_entries(po: Path) -> dict:
    """``{catalog key: translation}`` of a .po file, keyed as ``gettext`` keys its catalog:
    ``msgid`` (``context\x04msgid`` with a context), ``(msgid, n)`` for plural forms."""
    entries = {}
    for block in po.read_text(encoding="utf-8").strip().split("\n\n"):
        fields: dict[str, str] = {}
        name = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                name = match.group(1)
                fields[name] = ""
                line = f'"{match.group(2)}"'
            fields[name] += _PO_ESCAPE.sub(lambda m: _PO_ESCAPES[m.group(1)], line[1:-1])
        if not fields.get("msgid"):
            continue  # the header
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = f"{fields['msgctxt']}\x04{key}"
        if "msgid_plural" in fields:
            for form, value in fields.items():
                if form.startswith("msgstr["):
                    entries[(key, int(form[7:-1]))] = value
        else:
            entries[key] = fields["msgstr"]
    return entries


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_built_in_word_is_translated_and_compiled(language):
    """No empty or fuzzy entry in the .po, and the committed .mo says what the .po says
    (``make messages`` after editing a .po)."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")
    entries = _po_entries(po)
    assert len(entries) > 100
    assert [key for key, value in entries.items() if not value] == []
    with po.with_suffix(".mo").open("rb") as compiled:
        catalog = GNUTranslations(compiled)._catalog  # noqa: SLF001
    catalog.pop("", None)  # the header
    assert catalog == entries
    with translation.override(language):
        assert translation.gettext("Operational") == entries["Operational"] != "Operational"


def test_an_operator_adds_a_subscriber_who_reads_japanese_in_the_admin(operator, page):
    response = operator.post(
        "/admin/subscribers/subscriber/add/",
        {"page": page.id, "channel": "email", "email": "aoi@example.com", "language": "ja"},
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(email="aoi@example.com").language == "ja"
    shown = operator.get("/admin/subscribers/subscriber/add/").content.decode()
    assert '<option value="ja">日本語</option>' in shown

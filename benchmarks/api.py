"""How fast the hot paths are: opening incidents through the API, and building a large page's
public documents cold (cache empty; the time includes emptying it) and summary.json warm.
Runs on a throw-away database: SQLite in a temp directory, or the server named by
DATABASE_URL (a test database is created and dropped).

    make bench            # or: python -m benchmarks.api
"""

import os
import statistics
import sys
import time


def _timed(call, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return (
        f"{name:<48} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms   "
        f"(n={len(samples)})"
    )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test.utils import get_runner, setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        # Imported here: the project's modules need django.setup(), which main() runs first.
        from rest_framework.test import APIClient

        from accounts.services import api_key_create, organization_get_or_create
        from statuspages.services import component_create, status_page_create

        organization, _ = organization_get_or_create(slug="bench")
        page = status_page_create(organization=organization, name="Bench", slug="bench")
        components = [component_create(page=page, name=f"Component {i}") for i in range(500)]
        _, token = api_key_create(
            organization=organization, name="bench", scopes=["incidents:write"]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        counter = iter(range(10**9))

        def open_incident():
            index = next(counter)
            response = client.post(
                f"/api/v1/status-pages/{page.id}/incidents",
                {
                    "name": f"Outage {index}",
                    "message": "Investigating.",
                    "component_statuses": [
                        {"component_id": components[index % 500].id, "status": "major_outage"}
                    ],
                },
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"bench-{index}",
            )
            assert response.status_code == 201, response.content

        lines = [
            f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
            f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        ]
        lines.append(
            _report("POST incident (idempotency key, 1 component)", _timed(open_incident, 100))
        )
        public = APIClient()

        def cold(path):
            def read():
                cache.clear()
                assert public.get(path).status_code == 200

            return read

        def summary_warm():
            assert public.get("/pages/bench/api/v2/summary.json").status_code == 200

        for name, path in [
            ("summary.json", "/pages/bench/api/v2/summary.json"),
            ("incidents.json", "/pages/bench/api/v2/incidents.json"),
            ("uptime.json (90 days)", "/pages/bench/api/v2/uptime.json"),
            ("human page", "/pages/bench/"),
        ]:
            lines.append(
                _report(f"{name}, 500 components, 100 incidents, cold", _timed(cold(path), 30))
            )
        summary_warm()
        lines.append(_report("summary.json, warm cache", _timed(summary_warm, 200)))
        print("\n".join(lines))
    finally:
        runner.teardown_databases(old_config)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""gunicorn's settings. gunicorn reads ./gunicorn.conf.py from the directory it starts in, so
every `gunicorn config.wsgi:application` of the Dockerfile, docker-compose.yml, the README and
benchmarks/http.py runs with them (all start in the project's root)."""

# The request line (method, URL, version) may be as long as gunicorn allows (its default is
# 4094): the longest URL our OpenAPI documents allow, every parameter at its maxLength in
# percent-encoded 4-byte UTF-8, is about 5 KB (tests/test_query_limits.py adds it up), so it
# reaches the API and is answered in the JSON envelope, never with gunicorn's HTML 414.
limit_request_line = 8190

from django.apps import AppConfig


class UpstreamsConfig(AppConfig):
    name = "upstreams"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from statuspages.upstreams import register_upstream_reader, register_upstream_watcher
        from upstreams.services import upstream_page_read
        from upstreams.tasks import upstream_watch

        # The "pick from this page" helper reads through the poller (once a minute per URL),
        # and a component that starts mirroring a URL has it polled without waiting for beat.
        register_upstream_reader(upstream_page_read)
        register_upstream_watcher(upstream_watch)

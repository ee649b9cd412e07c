from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from metrics.latency import results_recorded_receiver
        from monitors.signals import results_recorded

        results_recorded.connect(results_recorded_receiver, dispatch_uid="metrics.latency")

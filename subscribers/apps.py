from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from audit.recording import register
        from statuspages.selectors import page_organization_id
        from subscribers.models import Subscriber

        register(
            Subscriber,
            object_type="subscriber",
            organization_id=page_organization_id,
            page_id=lambda subscriber: subscriber.page_id,
            # Chat and webhook URLs are credentials (a Slack incoming webhook URL posts).
            secret_fields={"signing_secret", "endpoint"},
        )

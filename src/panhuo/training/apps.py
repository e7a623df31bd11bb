from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "panhuo.training"
    label = "training"
    verbose_name = _("Training and registrations")

    def ready(self) -> None:
        # A registration due for renewal shows on the staff member's Today page (clients.registry); `panhuo demo`
        # adds the course material's course, a session, exam attempts and registrations (training.demo).
        from panhuo.clients.registry import register_demo_seeder, register_today_panel
        from panhuo.training.demo import demo_seed
        from panhuo.training.selectors import today_due_panel

        register_today_panel("training", today_due_panel)
        register_demo_seeder("training", demo_seed, order=200)

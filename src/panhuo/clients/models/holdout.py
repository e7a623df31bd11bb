"""The branch's persistent holdout (长期对照组): a small share of each branch's clients kept out of every campaign
for a period, so the effect of all the branch's outreach together can be measured against them.

A period is one draw (`HoldoutDraw`): its dates, share and the seed the server drew; its clients are
`HoldoutMember` rows. A new draw at each rotation ends the previous one, and the rows are never deleted, so a
client's holdout periods stay on record and every past period remains measurable. Regular service (定期回访,
onboarding, handover) is a duty to the client, not marketing, and is never withheld from the holdout.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models.master import Branch, Client


class HoldoutDraw(models.Model):
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT,
                               related_name="holdout_draws")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))                      # exclusive: the period is [start, end)
    share = models.FloatField(_("share held out"))
    seed = models.BigIntegerField(editable=False)          # drawn by the server (secrets), kept for audit
    population = models.PositiveIntegerField(default=0)    # the branch's clients the draw was made from
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["branch", "-start", "-pk"]
        verbose_name = _("holdout period")

    def __str__(self) -> str:
        return f"{self.branch_id} {self.start}–{self.end}"


class HoldoutMember(models.Model):
    draw = models.ForeignKey(HoldoutDraw, on_delete=models.PROTECT, related_name="members")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="holdout_periods")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draw", "client"], name="one_holdout_row_per_draw")]

    def __str__(self) -> str:
        return f"{self.draw_id}:{self.client_id}"

"""The API's endpoints: thin, through the pages' own selectors and services (the access rule: out of reach is a
404; the permissions table: a forbidden write is a 403), each read or write of client data audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, FilteredRelation, Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from panhuo.api.serializers import (
    CampaignSerializer,
    ClientSerializer,
    ContactSerializer,
    ErrorSerializer,
    TaskSerializer,
)
from panhuo.audit.services import audit_record
from panhuo.campaigns.models import MemberGroup
from panhuo.campaigns.selectors import campaign_get_for_user, campaigns_for_user
from panhuo.clients.models import ClientSnapshot, Contact
from panhuo.clients.selectors import client_get_for_user, clients_for_user
from panhuo.workbench.selectors import tasks_for_user
from panhuo.workbench.services.contacts import contact_log


class Page(LimitOffsetPagination):
    default_limit = 100
    max_limit = 500


def _audit(request, action: str, object_type: str, ids) -> None:
    audit_record(user=request.user, action=action, object_type=object_type, object_ids=[str(i) for i in ids][:100],
                 detail={"via": "api"}, request=request)


def _with_scores(qs):
    latest = ClientSnapshot.objects.filter(is_latest=True)
    return qs.select_related("branch", "advisor").prefetch_related(
        Prefetch("snapshots", queryset=latest, to_attr="latest_snapshots"))


def _attach(clients):
    for c in clients:
        c.latest_snapshot = c.latest_snapshots[0] if c.latest_snapshots else None
    return clients


NOT_FOUND = {404: ErrorSerializer, 401: ErrorSerializer}


class ClientList(generics.GenericAPIView):
    """The clients within the caller's reach with their latest scores (an advisor: their own clients)."""
    serializer_class = ClientSerializer
    pagination_class = Page

    @extend_schema(parameters=[
        OpenApiParameter("advisor", str, description="an advisor's code"),
        OpenApiParameter("tier", str, description="vip, core, mass or none"),
        OpenApiParameter("dormant", bool, description="only dormant (true) or only not dormant (false) clients"),
    ], responses={200: ClientSerializer(many=True), 401: ErrorSerializer})
    def get(self, request):
        qs = clients_for_user(user=request.user).order_by("client_id")
        if request.query_params.get("advisor"):
            qs = qs.filter(advisor__advisor_id=request.query_params["advisor"])
        tier, dormant = request.query_params.get("tier"), request.query_params.get("dormant")
        if tier or dormant in ("true", "false"):
            qs = qs.annotate(snap=FilteredRelation("snapshots", condition=Q(snapshots__is_latest=True)))
            if tier:
                qs = qs.filter(snap__tier=tier)
            if dormant in ("true", "false"):
                qs = qs.filter(snap__is_dormant=dormant == "true")
        page = _attach(self.paginate_queryset(_with_scores(qs)))
        _audit(request, "api.clients.list", "client", [c.client_id for c in page])
        return self.get_paginated_response(ClientSerializer(page, many=True).data)


class ClientDetail(generics.GenericAPIView):
    """One client within reach, with the latest scores and the reasons behind the churn risk."""
    serializer_class = ClientSerializer

    @extend_schema(responses={200: ClientSerializer, **NOT_FOUND})
    def get(self, request, client_id: str):
        client = client_get_for_user(user=request.user, client_id=client_id)
        [client] = _attach(list(_with_scores(type(client).objects.filter(pk=client.pk))))
        _audit(request, "api.clients.view", "client", [client.client_id])
        return Response(ClientSerializer(client).data)


class TaskList(generics.GenericAPIView):
    """The caller's queue as on Today: an advisor's open tasks by priority; a director or manager the tasks
    handed back in their branch."""
    serializer_class = TaskSerializer
    pagination_class = Page

    @extend_schema(responses={200: TaskSerializer(many=True), 401: ErrorSerializer})
    def get(self, request):
        page = self.paginate_queryset(tasks_for_user(user=request.user))
        _audit(request, "api.tasks.list", "client", [t.client.client_id for t in page])
        return self.get_paginated_response(TaskSerializer(page, many=True).data)


class ContactList(generics.GenericAPIView):
    """GET: the contacts with the clients within reach, newest first (one client's with ?client=).
    POST: log a contact as on the 360 page (the same service: funnel, follow-up task, do-not-contact, audit)."""
    serializer_class = ContactSerializer
    pagination_class = Page

    @extend_schema(parameters=[OpenApiParameter("client", str, description="a client's code")],
                   responses={200: ContactSerializer(many=True), **NOT_FOUND})
    def get(self, request):
        if request.query_params.get("client"):
            client = client_get_for_user(user=request.user, client_id=request.query_params["client"])
            qs = Contact.objects.filter(client=client)
        else:
            qs = Contact.objects.filter(client__in=clients_for_user(user=request.user))
        page = self.paginate_queryset(qs.select_related("client", "by").order_by("-at", "-pk"))
        _audit(request, "api.contacts.list", "client", sorted({c.client.client_id for c in page}))
        return self.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(request=ContactSerializer,
                   responses={201: ContactSerializer, 400: ErrorSerializer, 403: ErrorSerializer, **NOT_FOUND})
    def post(self, request):
        data = ContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        client = client_get_for_user(user=request.user, client_id=v["client_id"])
        try:
            contact = contact_log(user=request.user, client=client, channel=v["channel"], outcome=v["outcome"],
                                  note=v["note"], next_follow_up=v["next_follow_up"], request=request)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "message_dict") else exc.messages) from None
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


def _campaigns(qs, user):
    """Member counts of the clients the user may reach now (the access rule, as on the campaign pages)."""
    reach = clients_for_user(user=user).values("pk")
    inside = Q(members__client__in=reach)
    return qs.select_related("branch").annotate(
        members_in_reach=Count("members", filter=inside & ~Q(members__group=MemberGroup.EXCLUDED), distinct=True),
        treatment_in_reach=Count("members", filter=inside & Q(members__group=MemberGroup.TREATMENT), distinct=True),
        control_in_reach=Count("members", filter=inside & Q(members__group=MemberGroup.CONTROL), distinct=True))


class CampaignList(generics.GenericAPIView):
    """The campaigns within reach (a director or manager: the branch's; an advisor: those with their clients)."""
    serializer_class = CampaignSerializer
    pagination_class = Page

    @extend_schema(responses={200: CampaignSerializer(many=True), 401: ErrorSerializer})
    def get(self, request):
        qs = _campaigns(campaigns_for_user(user=request.user), request.user).order_by("-pk")
        page = self.paginate_queryset(qs)
        _audit(request, "api.campaigns.list", "campaign", [c.pk for c in page])
        return self.get_paginated_response(CampaignSerializer(page, many=True).data)


class CampaignDetail(generics.GenericAPIView):
    serializer_class = CampaignSerializer

    @extend_schema(responses={200: CampaignSerializer, **NOT_FOUND})
    def get(self, request, campaign_id: int):
        campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
        campaign = _campaigns(type(campaign).objects.filter(pk=campaign.pk), request.user).get()
        _audit(request, "api.campaigns.view", "campaign", [campaign.pk])
        return Response(CampaignSerializer(campaign).data)

"""The API's organisation rules, shared by every endpoint, and the organisations endpoint.

Every object belongs to one organisation, named by its slug. Lists only ever hold the
caller's organisations (``?organisation=slug`` narrows them); another organisation's object
is 404; a role that may not write gets 403. The checks are the web pages' own:
``organisation_access`` and the roles' actions.
"""

import hashlib

import django_filters
from django.db import transaction
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core.api import RelatedList, precondition_errors, require_if_match

from .models import Membership, Organisation
from .permissions import Action, may_anywhere, organisation_access
from .selectors import organisations_for
from .services import ORGANISATION_IDENTITY_FIELDS


class OrganisationField(serializers.SlugRelatedField):
    """An organisation by its slug, among the caller's own: any other "does not exist"."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self):
        return organisations_for(self.context["request"].user)


class OwnEntry(serializers.PrimaryKeyRelatedField):
    """An entry of ``model`` by its id, among the caller's organisations' (another
    organisation's is "does not exist", as an unknown id). Callers then require the
    organisation of the object being written."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(pk_field=serializers.IntegerField(min_value=1, max_value=2**63 - 1), **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(organisation__in=organisations_for(self.context["request"].user))


class OwnEntries(RelatedList):
    """Several entries of ``model`` by id, among the caller's organisations', in one query."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.filter(organisation__in=organisations_for(self.context["request"].user))


class OrganisationSlugFilter(django_filters.CharFilter):
    """The objects of the organisation of this slug. Compared by key with the organisation's found first (a scalar
    subquery), rather than by joining every object to its organisation to compare slugs: the count of a page of
    100,000 activities then reads the index on their organisation alone."""

    def __init__(self, field_name: str = "organisation", **kwargs):
        super().__init__(field_name=field_name, help_text="An organisation's slug.", **kwargs)

    def filter(self, queryset, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return queryset
        organisation = Organisation.objects.filter(slug=value).values("pk")
        return queryset.filter(**{self.field_name: Subquery(organisation)})


class OrganisationFilter(django_filters.FilterSet):
    organisation = OrganisationSlugFilter()


class OrganisationScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Base of every endpoint whose objects belong to an organisation: list and read, and
    actions (POST) that need ``write_action`` or, per action, ``action_permissions``.

    Subclasses set ``queryset`` and the role actions reading and writing need.
    """

    lookup_value_regex = r"[0-9]+"
    read_action = Action.VIEW
    write_action = Action.EDIT_REGISTER
    action_permissions: dict = {}  # viewset action -> the role action it needs, if not write_action
    organisation_path = "organisation"  # from the model to its organisation
    filterset_class = OrganisationFilter

    def needed_action(self, request) -> Action:
        if request.method in SAFE_METHODS:
            return self.read_action
        return self.action_permissions.get(self.action, self.write_action)

    def get_queryset(self):
        own = organisations_for(self.request.user)
        queryset = super().get_queryset().filter(**{f"{self.organisation_path}__in": own})
        return queryset.select_related(self.organisation_path)  # each object names its organisation

    def organisation_of(self, obj) -> Organisation:
        for part in self.organisation_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def check_permissions(self, request):
        super().check_permissions(request)
        # A caller who may write nowhere (an auditor's token) is refused before anything is read.
        if request.method not in SAFE_METHODS and not may_anywhere(request.user, self.needed_action(request)):
            raise PermissionDenied

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        organisation_access(request.user, self.organisation_of(obj).slug).require(self.needed_action(request))

    def check_write(self, organisation: Organisation) -> None:
        organisation_access(self.request.user, organisation.slug).require(self.write_action)

    def etag(self, obj) -> str:
        """What the client must send back in If-Match to update ``obj``: it changes with every save."""
        stamp = f"{obj.pk}:{obj.updated_at.isoformat()}"
        return f'"{hashlib.sha256(stamp.encode()).hexdigest()[:32]}"'

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    def _respond(self, obj, status_code=200):
        response = Response(self.get_serializer(obj).data, status=status_code)
        response["ETag"] = self.etag(obj)
        return response


class OrganisationScopedViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, OrganisationScopedReadViewSet):
    """An organisation's objects that clients also create and update (nothing is deleted:
    archiving is an action, and history keeps everything). Updates require ``If-Match``
    with the ETag the client read (``etag``): no update is silently lost."""

    extra_error_responses = {**precondition_errors("PUT"), **precondition_errors("PATCH")}

    def locked_object(self):
        """The object to update, locked until the end of the transaction, once If-Match matches."""
        obj = self.get_object()
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        require_if_match(self.request, self.etag(obj))
        return obj

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            obj = self.locked_object()
            serializer = self.get_serializer(obj, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            obj = serializer.save()
        return self._respond(self.get_queryset().get(pk=obj.pk))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_write(serializer.validated_data["organisation"])
        obj = serializer.save()
        return self._respond(self.get_queryset().get(pk=obj.pk), status_code=201)


class OrganisationSerializer(serializers.ModelSerializer):
    your_role = serializers.CharField(read_only=True, allow_null=True, help_text="Your role in this organisation.")

    class Meta:
        model = Organisation
        fields = ["slug", *ORGANISATION_IDENTITY_FIELDS, "your_role"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Your organisations"),
    retrieve=extend_schema(summary="One of your organisations: the header of its record (Art. 30(1)(a))"),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    filterset_class = None
    search_fields = ["name"]
    ordering_fields = ["name"]

    queryset = Organisation.objects.none()  # for the schema; get_queryset() reads the caller's

    def get_queryset(self):
        user = self.request.user
        role = Membership.objects.filter(organisation=OuterRef("pk"), user=user).values("role")[:1]
        return organisations_for(user).annotate(your_role=Subquery(role)).order_by("name", "pk")

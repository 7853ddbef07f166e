from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.auth import roles
from apps.auth.models import Department, Unit, User
from apps.core.limits import SECRET_MAX_LENGTH, TOKEN_MAX_LENGTH
from apps.core.reason_field import reason_field
from apps.policy import access
from apps.policy.capabilities import ALL_CAPABILITIES, capabilities_of


class UnitSerializer(serializers.ModelSerializer):
    # Deactivating a unit needs a reason (apps.policy.reasons).
    reason = reason_field()

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "address", "is_active", "created_at", "updated_at", "reason"]
        read_only_fields = ["created_at", "updated_at"]


class DepartmentSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "unit", "unit_code", "code", "name", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # uniqueness per unit is checked in validate() with a clear message

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unit = attrs.get("unit") or (self.instance.unit if self.instance else None)
        queryset = Department.objects.filter(unit=unit)
        if self.instance is not None:
            queryset = queryset.exclude(pk=self.instance.pk)
        for field in ("code", "name"):
            if field in attrs and queryset.filter(**{field: attrs[field]}).exists():
                raise serializers.ValidationError({field: [f"A department with this {field} exists in this unit."]})
        return attrs


class UserSerializer(serializers.ModelSerializer):
    """User read; `roles` are group names."""

    roles = serializers.SerializerMethodField()
    unit_code = serializers.CharField(source="unit.code", read_only=True, default=None)
    is_locked = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "employee_id",
            "unit",
            "unit_code",
            "roles",
            "is_active",
            "is_locked",
            "locked_until",
            "failed_login_count",
            "signature_certified_at",
            "failed_signature_count",
            "last_login",
            "date_joined",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=access.USER_ACTIONS)))
    def get_allowed_actions(self, user: User) -> list[str]:
        """What the reader may do with this account (docs/roles.md); [] outside a request."""
        request = self.context.get("request")
        if request is None:
            return []
        return access.user_allowed_actions(request.user, user)

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.role_names)


class CurrentUserSerializer(UserSerializer):
    """The signed-in user (`/api/auth/me/`, the login response): the user read plus
    `capabilities`, what the user may do anywhere, from which the web app decides what to offer."""

    capabilities = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "capabilities"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ALL_CAPABILITIES)))
    def get_capabilities(self, user: User) -> list[str]:
        return capabilities_of(user)


class UserWriteSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[(r, r) for r in roles.ALL_ROLES]), required=False
    )
    password = serializers.CharField(
        max_length=SECRET_MAX_LENGTH, write_only=True, required=False, style={"input_type": "password"}
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "employee_id", "unit", "roles", "password", "is_active"]
        extra_kwargs = {"full_name": {"required": True}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": ["This field is required."]})
        return attrs


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=SECRET_MAX_LENGTH, style={"input_type": "password"}, trim_whitespace=False
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResponseSerializer(TokenPairSerializer):
    user = CurrentUserSerializer()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=TOKEN_MAX_LENGTH)


class ChangePasswordSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=SECRET_MAX_LENGTH, trim_whitespace=False)
    new_password = serializers.CharField(max_length=SECRET_MAX_LENGTH, trim_whitespace=False)


class WsTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()

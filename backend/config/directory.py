"""Directory sign-in (LDAP / Active Directory) settings, built from the environment.

settings.py calls `directory_settings(os.environ)`; the tests call it with the address of
their own slapd. Without LDAP_SERVER_URI the directory is off and only local accounts exist.
Variables (all optional but the first; defaults suit Active Directory):

  LDAP_SERVER_URI          ldap://dc1.corp.example:389 or ldaps://dc1.corp.example:636
  LDAP_START_TLS           1 to upgrade ldap:// with StartTLS (0)
  LDAP_CA_CERT_FILE        CA bundle that signed the directory's certificate
  LDAP_BIND_DN / LDAP_BIND_PASSWORD   the read-only service account that searches
  LDAP_USER_SEARCH_BASE    ou=Staff,dc=corp,dc=example
  LDAP_USER_FILTER         (&(objectClass=user)(sAMAccountName=%(user)s)(!(userAccountControl:...:=2)))
  LDAP_GROUP_SEARCH_BASE   ou=Groups,dc=corp,dc=example
  LDAP_GROUP_TYPE          active_directory (nested) | group_of_names | nested_group_of_names
  LDAP_GROUP_<ROLE>        the group DN of each role, e.g. LDAP_GROUP_APPROVER=cn=DMS Approvers,...
  LDAP_UNIT_ATTR           a user attribute holding the unit code (e.g. physicalDeliveryOfficeName)
  LDAP_UNIT_GROUPS         GOA=cn=DMS Goa,ou=Groups,...;BOM=cn=DMS Mumbai,... (when no attribute)
  LDAP_ATTR_FULL_NAME / LDAP_ATTR_EMAIL / LDAP_ATTR_EMPLOYEE_ID   (displayName / mail / employeeID)
  LDAP_RECHECK_SECONDS     how long a "still enabled" answer is trusted per user (60)
  LDAP_TIMEOUT_SECONDS     network timeout of one directory call (5)
"""

from collections.abc import Mapping
from typing import Any

# The six roles of docs/roles.md and the variable naming each one's directory group.
ROLE_GROUP_VARIABLES = {
    "System Administrator": "LDAP_GROUP_SYSTEM_ADMINISTRATOR",
    "Unit Admin": "LDAP_GROUP_UNIT_ADMIN",
    "Document Manager": "LDAP_GROUP_DOCUMENT_MANAGER",
    "Approver": "LDAP_GROUP_APPROVER",
    "Store Head": "LDAP_GROUP_STORE_HEAD",
    "Viewer": "LDAP_GROUP_VIEWER",
}

# Active Directory: a person (not a computer) with this account name whose account is not
# disabled (bit 2 of userAccountControl). A disabled account is then "not found", which is
# how both sign-in and the per-request re-check see it.
AD_USER_FILTER = (
    "(&(objectCategory=person)(objectClass=user)(sAMAccountName=%(user)s)"
    "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
)


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def parse_pairs(value: str) -> dict[str, str]:
    """'GOA=cn=x,dc=y;BOM=cn=z,dc=y' -> {"GOA": "cn=x,dc=y", "BOM": "cn=z,dc=y"} (DNs hold '=' and ',')."""
    pairs = {}
    for item in value.split(";"):
        key, sep, dn = item.strip().partition("=")
        if sep and key.strip() and dn.strip():
            pairs[key.strip()] = dn.strip()
    return pairs


def directory_settings(env: Mapping[str, str]) -> dict[str, Any]:
    uri = env.get("LDAP_SERVER_URI", "").strip()
    settings: dict[str, Any] = {
        "AUTH_LDAP_SERVER_URI": uri,
        # Local (password in DMS) accounts: on by default for the break-glass administrator.
        "AUTH_LOCAL_ACCOUNTS": _bool(env.get("AUTH_LOCAL_ACCOUNTS", "1")),
        "DIRECTORY_RECHECK_SECONDS": int(env.get("LDAP_RECHECK_SECONDS", "60")),
    }
    if not uri:
        return settings

    import ldap
    from django_auth_ldap.config import (
        GroupOfNamesType,
        LDAPGroupQuery,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
        NestedGroupOfNamesType,
    )

    timeout = float(env.get("LDAP_TIMEOUT_SECONDS", "5"))
    options: dict[int, Any] = {
        ldap.OPT_REFERRALS: 0,  # AD referrals lead to other domains' controllers: do not chase
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
    }
    if env.get("LDAP_CA_CERT_FILE"):
        options[ldap.OPT_X_TLS_CACERTFILE] = env["LDAP_CA_CERT_FILE"]
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # must come last: applies the TLS options above

    group_type_name = env.get("LDAP_GROUP_TYPE", "active_directory").strip()
    group_types = {
        "active_directory": (NestedActiveDirectoryGroupType, "(objectClass=group)"),
        "group_of_names": (GroupOfNamesType, "(objectClass=groupOfNames)"),
        "nested_group_of_names": (NestedGroupOfNamesType, "(objectClass=groupOfNames)"),
    }
    group_type, group_filter = group_types[group_type_name]

    role_groups = {role: env[name].strip() for role, name in ROLE_GROUP_VARIABLES.items() if env.get(name, "").strip()}
    required: Any = None
    for dn in role_groups.values():
        required = LDAPGroupQuery(dn) if required is None else required | LDAPGroupQuery(dn)

    settings.update(
        {
            "AUTH_LDAP_START_TLS": _bool(env.get("LDAP_START_TLS")),
            "AUTH_LDAP_BIND_DN": env.get("LDAP_BIND_DN", ""),
            "AUTH_LDAP_BIND_PASSWORD": env.get("LDAP_BIND_PASSWORD", ""),
            "AUTH_LDAP_CONNECTION_OPTIONS": options,
            "AUTH_LDAP_USER_SEARCH": LDAPSearch(
                env.get("LDAP_USER_SEARCH_BASE", ""),
                ldap.SCOPE_SUBTREE,
                env.get("LDAP_USER_FILTER", AD_USER_FILTER),
            ),
            "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(
                env.get("LDAP_GROUP_SEARCH_BASE", env.get("LDAP_USER_SEARCH_BASE", "")),
                ldap.SCOPE_SUBTREE,
                env.get("LDAP_GROUP_FILTER", group_filter),
            ),
            "AUTH_LDAP_GROUP_TYPE": group_type(),
            "AUTH_LDAP_USER_ATTR_MAP": {
                "full_name": env.get("LDAP_ATTR_FULL_NAME", "displayName"),
                "email": env.get("LDAP_ATTR_EMAIL", "mail"),
                "employee_id": env.get("LDAP_ATTR_EMPLOYEE_ID", "employeeID"),
            },
            # Only members of a DMS role group may sign in; nobody else gets an account.
            "AUTH_LDAP_REQUIRE_GROUP": required,
            "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
            "AUTH_LDAP_FIND_GROUP_PERMS": False,
            "AUTH_LDAP_CACHE_TIMEOUT": 0,
            "DIRECTORY_ROLE_GROUPS": role_groups,
            "DIRECTORY_UNIT_ATTR": env.get("LDAP_UNIT_ATTR", "").strip(),
            "DIRECTORY_UNIT_GROUPS": parse_pairs(env.get("LDAP_UNIT_GROUPS", "")),
        }
    )
    return settings

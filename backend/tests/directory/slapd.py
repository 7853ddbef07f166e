"""A real OpenLDAP server (Debian's slapd) for the directory sign-in tests.

Each `Slapd` has a temp folder with its own config, an MDB database loaded offline with
slapadd from the test tree below, and listens on a free loopback port. The tree is shaped
like a small company's: people with names, mail, an employee number and a unit attribute,
DMS role groups, a unit group, and one disabled account.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import ldap
import ldap.modlist

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

BASE = "dc=pharma,dc=test"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "slapd-admin-secret"
SERVICE_DN = f"cn=dms-reader,ou=service,{BASE}"
SERVICE_PASSWORD = "reader-secret-42"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"
PASSWORD = "Directory#Pass-2026"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


# uid -> (display name, unit attribute or None, employeeType)
PEOPLE_ENTRIES = {
    "asha": ("Asha Approver", "GOA", "staff"),
    "dev": ("Dev Manager", "GOA", "staff"),
    "sam": ("Sam Sysadmin", None, "staff"),
    "bina": ("Bina Storehead", None, "staff"),  # unit from the unit group (BOM)
    "omar": ("Omar Outsider", "GOA", "staff"),  # in no DMS group
    "carl": ("Carl Contractor", "GOA", "disabled"),  # disabled account
    "gita": ("Gita Goa", "GOA", "staff"),  # to be disabled during a test
}
GROUP_MEMBERS = {
    "dms-approvers": ["asha", "gita"],
    "dms-document-managers": ["dev", "carl", "gita"],
    "dms-sysadmins": ["sam"],
    "dms-store-heads": ["bina"],
    "dms-unit-bom": ["bina"],
    "staff": ["omar", "asha"],
}


def _tree() -> str:
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Pharma Test\ndc: pharma",
        f"dn: ou=service,{BASE}\nobjectClass: organizationalUnit\nou: service",
        f"dn: {SERVICE_DN}\nobjectClass: person\ncn: dms-reader\nsn: reader\nuserPassword: {SERVICE_PASSWORD}",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
    ]
    for number, (uid, (name, unit, kind)) in enumerate(PEOPLE_ENTRIES.items(), start=1001):
        lines = [
            f"dn: {person_dn(uid)}",
            "objectClass: inetOrgPerson",
            f"uid: {uid}",
            f"cn: {name}",
            f"sn: {name.split()[-1]}",
            f"displayName: {name}",
            f"mail: {uid}@pharma.test",
            f"employeeNumber: E{number}",
            f"employeeType: {kind}",
            f"userPassword: {PASSWORD}",
        ]
        if unit:
            lines.append(f"departmentNumber: {unit}")
        entries.append("\n".join(lines))
    for name, members in GROUP_MEMBERS.items():
        lines = [f"dn: {group_dn(name)}", "objectClass: groupOfNames", f"cn: {name}"]
        lines += [f"member: {person_dn(uid)}" for uid in members]
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Slapd:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Slapd":
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        schemas = "".join(
            f"include {SCHEMA_DIR / name}.schema\n" for name in ("core", "cosine", "inetorgperson", "nis")
        )
        config = self.folder / "slapd.conf"
        config.write_text(
            f"{schemas}"
            f"modulepath {MODULE_DIR}\nmoduleload back_mdb\n"
            f"pidfile {self.folder / 'slapd.pid'}\n"
            f'database mdb\nmaxsize 10485760\nsuffix "{BASE}"\n'
            f'rootdn "{ADMIN_DN}"\nrootpw {ADMIN_PASSWORD}\ndirectory {data}\n'
            "index objectClass eq\nindex uid eq\nindex member eq\n"
        )
        tree = self.folder / "tree.ldif"
        tree.write_text(_tree())
        subprocess.run([SLAPADD, "-q", "-f", str(config), "-l", str(tree)], check=True, capture_output=True)
        # -d 0: stay in the foreground (a child we can stop) and log nothing.
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(config), "-h", f"{self.uri}/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                errors = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"slapd exited: {errors}")
            try:
                self.admin().unbind_s()
                return self
            except ldap.SERVER_DOWN:
                time.sleep(0.05)
        raise RuntimeError("slapd did not answer within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()

    def admin(self) -> Any:
        connection = ldap.initialize(self.uri, bytes_mode=False)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 2)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection

    def set_attribute(self, dn: str, name: str, value: str) -> None:
        connection = self.admin()
        try:
            connection.modify_s(dn, [(ldap.MOD_REPLACE, name, [value.encode()])])
        finally:
            connection.unbind_s()

    def add_member(self, group: str, uid: str) -> None:
        connection = self.admin()
        try:
            connection.modify_s(group_dn(group), [(ldap.MOD_ADD, "member", [person_dn(uid).encode()])])
        finally:
            connection.unbind_s()

    def remove_member(self, group: str, uid: str) -> None:
        connection = self.admin()
        try:
            connection.modify_s(group_dn(group), [(ldap.MOD_DELETE, "member", [person_dn(uid).encode()])])
        finally:
            connection.unbind_s()

    def environment(self) -> dict[str, str]:
        """The variables an operator would set for this directory (see config/directory.py)."""
        return {
            "LDAP_SERVER_URI": self.uri,
            "LDAP_BIND_DN": SERVICE_DN,
            "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            # OpenLDAP's stand-in for AD's userAccountControl "disabled" bit.
            "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(uid=%(user)s)(!(employeeType=disabled)))",
            "LDAP_GROUP_SEARCH_BASE": GROUPS,
            "LDAP_GROUP_TYPE": "group_of_names",
            "LDAP_GROUP_SYSTEM_ADMINISTRATOR": group_dn("dms-sysadmins"),
            "LDAP_GROUP_DOCUMENT_MANAGER": group_dn("dms-document-managers"),
            "LDAP_GROUP_APPROVER": group_dn("dms-approvers"),
            "LDAP_GROUP_STORE_HEAD": group_dn("dms-store-heads"),
            "LDAP_UNIT_ATTR": "departmentNumber",
            "LDAP_UNIT_GROUPS": f"BOM={group_dn('dms-unit-bom')}",
            "LDAP_ATTR_FULL_NAME": "displayName",
            "LDAP_ATTR_EMAIL": "mail",
            "LDAP_ATTR_EMPLOYEE_ID": "employeeNumber",
            "LDAP_TIMEOUT_SECONDS": "2",
        }

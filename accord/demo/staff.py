"""The demo company's people: users in every role and the teams they belong to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.hashers import make_password

from accord.accounts.actions import create_user
from accord.accounts.models import Role, Team, User
from accord.demo.catalog import STAFF_EMAIL_DOMAIN

DEMO_PASSWORD = "accord-demo"  # noqa: S105 - public by design: every demo user's password, shown at login

MARKETING_TEAM = "Marketing"
EMEA_TEAM = "Sales EMEA"
AMERICAS_TEAM = "Sales Americas"
TEAM_KINDS: dict[str, str] = {
    MARKETING_TEAM: Team.Kind.MARKETING,
    EMEA_TEAM: Team.Kind.SALES,
    AMERICAS_TEAM: Team.Kind.SALES,
}
REGION_TEAMS: dict[str, str] = {"emea": EMEA_TEAM, "americas": AMERICAS_TEAM}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    team_name: str  # "" for users outside any team

    @property
    def email(self) -> str:
        return f"{self.username}@{STAFF_EMAIL_DOMAIN}"


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", Role.ADMIN, "Ada", "Okafor", ""),
    DemoUser("maria", Role.MARKETING_MANAGER, "Maria", "Rossi", MARKETING_TEAM),
    DemoUser("mark", Role.MARKETER, "Mark", "Chen", MARKETING_TEAM),
    DemoUser("priya", Role.MARKETER, "Priya", "Nair", MARKETING_TEAM),
    DemoUser("tom", Role.MARKETER, "Tom", "Becker", MARKETING_TEAM),
    DemoUser("sally", Role.SALES_MANAGER, "Sally", "Jensen", AMERICAS_TEAM),
    DemoUser("sam", Role.SDR, "Sam", "Rivera", AMERICAS_TEAM),
    DemoUser("diego", Role.SDR, "Diego", "Alvarez", AMERICAS_TEAM),
    DemoUser("alex", Role.ACCOUNT_EXECUTIVE, "Alex", "Morgan", AMERICAS_TEAM),
    DemoUser("olivia", Role.ACCOUNT_EXECUTIVE, "Olivia", "Brooks", AMERICAS_TEAM),
    DemoUser("henrik", Role.SALES_MANAGER, "Henrik", "Larsen", EMEA_TEAM),
    DemoUser("sofia", Role.SDR, "Sofia", "Marin", EMEA_TEAM),
    DemoUser("noah", Role.SDR, "Noah", "Fischer", EMEA_TEAM),
    DemoUser("james", Role.ACCOUNT_EXECUTIVE, "James", "O'Connor", EMEA_TEAM),
    DemoUser("claire", Role.ACCOUNT_EXECUTIVE, "Claire", "Dubois", EMEA_TEAM),
]
TEAM_MANAGERS: dict[str, str] = {MARKETING_TEAM: "maria", AMERICAS_TEAM: "sally", EMEA_TEAM: "henrik"}


@dataclass
class Staff:
    """The created users, grouped the way the generator picks owners."""

    by_username: dict[str, int] = field(default_factory=dict)
    marketers: list[int] = field(default_factory=list)  # marketers and the marketing manager
    sdrs: dict[str, list[int]] = field(default_factory=dict)  # region → SDR ids
    aes: dict[str, list[int]] = field(default_factory=dict)  # region → AE ids
    teams: int = 0

    @property
    def users(self) -> int:
        return len(self.by_username)


def demo_password_hash() -> str:
    """PBKDF2 when it is configured, else the preferred hasher.

    Argon2 (the preferred hasher) takes 100 MiB of working memory, which would be most of the
    seed's peak memory; PBKDF2 costs the same time and no memory. Django re-hashes with the
    preferred hasher at each user's first login, so nothing weaker stays around.
    """
    try:
        return make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    except ValueError:  # not in PASSWORD_HASHERS (the test settings use a fast one)
        return make_password(DEMO_PASSWORD)


def create_staff(*, joined_at: datetime) -> Staff:
    """Create the teams and :data:`DEMO_USERS` through the accounts actions.

    Hashing a password is deliberately slow, so it is done once and the encoded hash is copied
    to every demo user: they all share one salted hash of the public demo password.
    """
    encoded = demo_password_hash()
    teams = {name: Team.objects.create(name=name, kind=kind) for name, kind in TEAM_KINDS.items()}
    staff = Staff(teams=len(teams))
    region_of_team = {team: region for region, team in REGION_TEAMS.items()}
    for spec in DEMO_USERS:
        user = create_user(
            username=spec.username,
            password=None,
            role=spec.role,
            email=spec.email,
            first_name=spec.first_name,
            last_name=spec.last_name,
            team=teams.get(spec.team_name),
            is_superuser=spec.role == Role.ADMIN,
        )
        staff.by_username[spec.username] = user.pk
        region = region_of_team.get(spec.team_name, "")
        if spec.role in (Role.MARKETER, Role.MARKETING_MANAGER):
            staff.marketers.append(user.pk)
        elif spec.role == Role.SDR:
            staff.sdrs.setdefault(region, []).append(user.pk)
        elif spec.role == Role.ACCOUNT_EXECUTIVE:
            staff.aes.setdefault(region, []).append(user.pk)
    User.objects.filter(pk__in=staff.by_username.values()).update(password=encoded, date_joined=joined_at)
    for name, team in teams.items():
        team.manager_id = staff.by_username[TEAM_MANAGERS[name]]
        team.save(update_fields=["manager"])
    return staff

"""The "Moderators" group with the permission to moderate comments, and a starter
list of blocked words that editors can change in the admin."""

from django.db import migrations

STARTER_BLOCKED_TERMS = [
    "viagra",
    "cialis",
    "casino",
    "online casino",
    "payday loan",
    "replica watches",
    "crypto giveaway",
    "work from home and earn",
    "buy followers",
    "essay writing service",
]


def create_moderators(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations run; make ours now so the
    # group can hold it on a brand-new database.
    app_config = apps.get_app_config("conversations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="conversations", codename="moderate_comments")
    )

    BlockedTerm = apps.get_model("conversations", "BlockedTerm")
    for term in STARTER_BLOCKED_TERMS:
        BlockedTerm.objects.get_or_create(term=term)


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]

import pytest


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Accounts tests make several users; real password hashing would take seconds each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

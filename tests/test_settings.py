"""Settings come from the environment and a bad value stops start-up naming the variable."""

import pytest

from tests.helpers import project_env, run_python

LOAD_SETTINGS = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def load(**env):
    return run_python(LOAD_SETTINGS, project_env(DJANGO_SETTINGS_MODULE="config.settings", **env))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("ALLOWED_HOSTS", " , "),
        ("AXES_FAILURE_LIMIT", "five"),
        ("MAX_UPLOAD_MB", "0"),
        ("SECURE_COOKIES", "sometimes"),
        ("LEDGER_HMAC_KEY", "too-short"),
        ("MAP_TILE_CRS", "bd09"),
        ("CITY_BOUNDS", "27,112,28"),
        ("CITY_BOUNDS", "28.5,112,27,113"),
        ("GEOJSON_UPLOAD_CRS", "mercator"),
        ("GEOJSON_MAX_MB", "0"),
        ("MAP_MAX_FEATURES", "0"),
        ("S3_SERVE", "sideways"),
        ("S3_URL_SECONDS", "3600"),
        ("S3_URL_SECONDS", "30"),
        ("S3_ENDPOINT_URL", "ftp://files.example.org"),
        ("S3_ACCESS_KEY", "set-without-a-bucket"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = load(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1]


def test_production_requires_a_secret_key():
    result = load(DEBUG=None, SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_ledger_key_is_derived_from_the_secret_key_but_is_not_it():
    shown = "from django.conf import settings; print(settings.LEDGER_HMAC_KEY, settings.SECRET_KEY)"
    result = run_python(f"import django; django.setup(); {shown}",
                        project_env(DJANGO_SETTINGS_MODULE="config.settings", DEBUG=None, LEDGER_HMAC_KEY=None,
                                    SECRET_KEY="a-production-secret-key-long-enough-0123456789"))
    key, secret = result.stdout.split()
    assert len(key) == 64 and key != secret and secret not in key


def test_production_refuses_a_short_secret_key():
    result = load(DEBUG=None, SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 32 characters" in result.stderr


def test_debug_runs_without_a_secret_key_and_defaults_to_sqlite_under_var(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.CELERY_BROKER_URL)"
    )
    result = run_python(code, project_env(DEBUG="1", SECRET_KEY=None, DATABASE_URL=None, REDIS_URL=None, VAR_DIR=tmp_path))
    assert result.returncode == 0, result.stderr
    engine, name, broker = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "healthcity.sqlite3")
    assert broker == "filesystem://"


def test_production_settings_are_secure_by_default():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.TIME_ZONE, s.LANGUAGE_CODE, s.USE_TZ)"
    )
    result = run_python(code, project_env(DEBUG=None, DJANGO_SETTINGS_MODULE="config.settings"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000", "Asia/Shanghai", "zh-hans", "True"]


def test_redis_url_switches_broker_and_cache_to_redis():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    )
    result = run_python(code, project_env(REDIS_URL="redis://127.0.0.1:6379/3"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://127.0.0.1:6379/3", "campaign.cache.RedisCache", "campaign.sessions"]


def test_large_request_bodies_are_refused(client, settings, db):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400


def test_a_bucket_without_its_keys_stops_start_up():
    result = load(S3_BUCKET="healthcity")
    assert result.returncode != 0
    assert "S3_ACCESS_KEY and S3_SECRET_KEY must be set" in result.stderr


def test_the_bucket_is_the_default_storage_and_the_local_disk_otherwise():
    shown = ("from django.core.files.storage import storages; d = storages['default']; "
             "print(type(d).__name__, *(getattr(d, name, '-') for name in "
             "('bucket_name', 'location', 'querystring_expire', 'file_overwrite', 'default_acl')))")
    on_s3 = run_python(f"import django; django.setup(); {shown}", project_env(
        DJANGO_SETTINGS_MODULE="config.settings", S3_BUCKET="healthcity", S3_ENDPOINT_URL="http://127.0.0.1:9",
        S3_ACCESS_KEY="key", S3_SECRET_KEY="secret", S3_PREFIX="/city/", S3_URL_SECONDS="90"))
    assert on_s3.returncode == 0, on_s3.stderr
    assert on_s3.stdout.split() == ["ObjectStorage", "healthcity", "city", "90", "False", "None"]
    local = run_python(f"import django; django.setup(); {shown}",
                       project_env(DJANGO_SETTINGS_MODULE="config.settings", S3_BUCKET=None))
    assert local.stdout.split()[0] == "FileSystemStorage", local.stderr


def test_signed_links_for_photos_are_allowed_by_the_csp_only_in_redirect_mode():
    shown = "from django.conf import settings; print(*settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "S3_BUCKET": "healthcity", "S3_ACCESS_KEY": "key",
           "S3_SECRET_KEY": "secret", "S3_ENDPOINT_URL": "http://seaweedfs:8333",
           "S3_PUBLIC_ENDPOINT_URL": "https://files.example.org/s3"}
    redirect = run_python(f"import django; django.setup(); {shown}", project_env(**env, S3_SERVE="redirect"))
    assert redirect.returncode == 0, redirect.stderr
    assert "https://files.example.org" in redirect.stdout.split() and "seaweedfs" not in redirect.stdout
    stream = run_python(f"import django; django.setup(); {shown}", project_env(**env, S3_SERVE="stream"))
    assert "files.example.org" not in stream.stdout and "seaweedfs" not in stream.stdout

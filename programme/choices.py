from django.db import models  # noqa: F401 (each area adds its choices here)

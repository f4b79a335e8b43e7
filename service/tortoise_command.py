"""The config the `tortoise` command reads (pyproject's [tool.tortoise], for `make migrations`).

Only that command imports this module: building the config reads the settings (the database URL)
from the environment, which nothing else should do merely by importing ``service.database``.
"""

from service.database import tortoise_config
from service.settings import get_settings

TORTOISE_ORM = tortoise_config(get_settings().resolved_database_url)

"""The staff console's blueprint; route modules attach to it."""

from flask_smorest import Blueprint

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin",
                description="Staff console: login, signed residents, audit log.")

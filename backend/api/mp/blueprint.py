"""The patients' blueprint; route modules attach to it."""

from flask_smorest import Blueprint

blp = Blueprint("mp", __name__, url_prefix="/api/v1/mp",
                description="Patients: login, family members (就诊人), hospitals.")

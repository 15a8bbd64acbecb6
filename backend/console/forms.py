"""The console's forms: each carries its CSRF token (Flask-WTF) and validates its fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"),
                                               Length(max=64, message="用户名太长了。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"),
                                               Length(max=128, message="密码太长了。")])


class AcknowledgeForm(FlaskForm):
    note = StringField("处理说明（可不填）", validators=[
        Optional(), Length(max=200, message="处理说明最多200个字。")])

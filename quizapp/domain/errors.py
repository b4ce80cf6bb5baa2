"""Errors raised by the rules; the web layer turns each into one HTTP status
with its Chinese message (quizapp/web/errors.py)."""


class DomainError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidAnswer(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class LoginFailed(DomainError):
    status = 401

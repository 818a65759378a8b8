"""Code that every app shares: public ids, the error envelope, pagination, request ids."""

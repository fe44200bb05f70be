from .storage import SecureBucket

__all__ = ["SecureBucket"]

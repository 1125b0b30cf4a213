from celery import shared_task


@shared_task
def apply_retention() -> dict[str, int]:
    """Anonymise, delete or unlink what each organisation's retention schedule says is due."""
    from .services import retention_apply

    return retention_apply()

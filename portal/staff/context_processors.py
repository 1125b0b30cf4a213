from .navigation import navigation_for


def staff_navigation(request) -> dict:
    return {"staff_navigation": lambda: navigation_for(request)}

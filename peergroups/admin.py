from django.contrib import admin

from .models import Group


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "audience", "format", "capacity"]
    list_filter = ["organisation", "format"]

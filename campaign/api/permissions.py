from rest_framework.permissions import SAFE_METHODS, BasePermission


class StructurePermission(BasePermission):
    """Signed-in staff read what they may see; only HQ staff create or change the structure.

    A write to an existing object is decided after the object is loaded through
    ``visible_to``: one the user cannot see is a 404, one they can see but not change a 403.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS or getattr(view, "detail", False):
            return True
        return user.can_manage_structure

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or request.user.can_manage_structure

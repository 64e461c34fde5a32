"""Users: the custom user model (email login), JWT login and refresh, the admin login."""

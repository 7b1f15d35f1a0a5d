"""The studio's pages, by area: signing in, writing, media, and the team's settings."""

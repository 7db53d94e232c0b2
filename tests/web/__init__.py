"""Web tests: the Starlette app through its TestClient."""

"""The web app: FastAPI serving server-rendered pages (Jinja2, htmx, GOV.UK Frontend styles),
Plotly charts and a JSON API, over a warehouse the server process owns.

Nothing is fetched from the internet: GOV.UK Frontend's CSS and htmx are vendored under
``static/vendor`` (see ``static/README.md``), Plotly's JavaScript is served from the installed
``plotly`` package, and Swagger UI's from the installed ``fastapi-offline`` package.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from observatory.web import auth
from observatory.web.deps import CredentialCache, NotAuthenticated, is_api
from observatory.web.host import WarehouseHost
from observatory.web.render import render
from observatory.web.routes import account, admin, api, data, pages, records, upload

API_DESCRIPTION = """
The Procurement Observatory's data as JSON, for Power BI and scripts.

**Authentication.** Send `Authorization: Bearer <token>`; create a token on your account page or
with `observatory users token EMAIL`. A token acts as its account: it sees what the account sees.

**Tables** (`/api/spend`, `/api/contracts`, `/api/suppliers`, `/api/loads`, `/api/rejects` …)
take the same filters as their page, plus `sort`, `dir`, `page`, `size`; `format=csv` or
`format=xlsx` answers the whole filtered table as a file. Money is a JSON number in pounds.

**Loading.** While the server runs it owns the warehouse: load files with
`POST /api/loads/spend` or `POST /api/loads/contracts` (multipart form: `files`, `organisation`,
optional `map` pairs). Changes need no CSRF token with a bearer token; with the browser session
they need the `X-CSRF-Token` header.

**Method notes**, how every figure is computed: `/methods`.
"""

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'"
)


@dataclass
class WebSettings:
    cookie_secure: bool | None = None  # None: Secure cookies when the request came over https
    session_hours: float = 12.0
    threads: int = 40  # worker threads for sync routes (each has its own warehouse cursor)


def _plotly_js() -> Path:
    return Path(str(resources.files("plotly").joinpath("package_data/plotly.min.js")))


def _swagger_dir() -> Path:
    return Path(str(resources.files("fastapi_offline").joinpath("static")))


def create_app(host: WarehouseHost, settings: WebSettings | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.threads
        auth.end_expired_sessions(host.current())
        yield

    app = FastAPI(
        title="Procurement Observatory API",
        description=API_DESCRIPTION,
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.host = host
    app.state.settings = settings or WebSettings()
    app.state.throttle = auth.LoginThrottle()
    app.state.credentials = CredentialCache()

    static = Path(str(resources.files("observatory.web").joinpath("static")))
    app.mount("/static/swagger", StaticFiles(directory=_swagger_dir()), name="swagger")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return FileResponse(
            _plotly_js(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Procurement Observatory API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    for module in (account, pages, data, upload, records, admin, api):
        app.include_router(module.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path != "/docs":  # Swagger UI starts itself with an inline script
            response.headers.setdefault("Content-Security-Policy", CSP)
        if not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": "sign in, or send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", 303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request) or request.url.path.startswith(("/openapi", "/static")):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        headings = {403: "Not allowed", 404: "Page not found", 400: "Cannot do that"}
        return render(
            request,
            "error.html",
            {
                "heading": headings.get(exc.status_code, "Something went wrong"),
                "detail": exc.detail,
            },
            status=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return render(
            request,
            "error.html",
            {"heading": "Cannot do that", "detail": "The request was not understood."},
            status=422,
        )

    return app

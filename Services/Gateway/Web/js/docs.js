// The interactive API reference at /docs: Swagger UI (a pinned, checksummed bundle from its
// registry, see deploy/tools/web-vendor.lock) over the gateway's own openapi.json. Started from
// this module because the page's Content-Security-Policy allows no inline script.
const start = () => {
  window.SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    // Deep links put an anchor inside each operation's toggle button (nested interactive controls).
    deepLinking: false,
    // "Try it out" calls the API from this page, with the token a person pastes in Authorize.
    tryItOutEnabled: false,
    persistAuthorization: false,
    defaultModelsExpandDepth: 0,
  });
};
if (window.SwaggerUIBundle) start();
else window.addEventListener('DOMContentLoaded', start, { once: true });

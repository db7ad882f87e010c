// Renders /api/openapi.json with the vendored Swagger UI. Nothing is fetched from elsewhere:
// no validator badge (it would call validator.swagger.io), no external fonts or images.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    displayOperationId: true,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
});

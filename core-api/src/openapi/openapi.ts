import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from /v1/auth/register, /v1/auth/login or /v1/auth/refresh',
  });
  return registry;
}

/** OpenAPI 3.1, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Events platform API',
      version: '1.0.0',
      description:
        'Discover, search and register for local events. Errors are RFC 9457 application/problem+json.',
    },
    servers: [{ url: '/' }],
  });
}

export function serveOpenApi(app: Express, registry: OpenAPIRegistry): void {
  const document = buildOpenApiDocument(registry);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(document, { customSiteTitle: 'Events platform API' }),
  );
}

import { NestFactory } from '@nestjs/core';
import { mcp, RekogModule } from './rekog.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(RekogModule);
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: mcp });
  await app.startAllMicroservices();
  await app.listen(process.env.PORT ?? 3000);
}

void bootstrap();

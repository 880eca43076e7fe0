import { Controller, Get } from '@nestjs/common';
import { replicaId } from '../../../shared/src/replica.js';

@Controller('health')
export class HealthController {
  @Get()
  check(): { status: 'ok'; replica: string } {
    return { status: 'ok', replica: replicaId() };
  }
}

import { Body, Controller, Inject, Post, ServiceUnavailableException } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { USER_CREATE, type CreateUserCommand, type User } from '../../../shared/src/events.js';
import { CreateUserDto } from './create-user.dto.js';
import { USER_SERVICE, USER_SERVICE_TIMEOUT_MS } from './users.constants.js';

@Controller('users')
export class UsersController {
  constructor(@Inject(USER_SERVICE) private readonly users: ClientProxy) {}

  /** Creates a user through the user service (request-response) and answers 201. */
  @Post()
  async create(@Body() dto: CreateUserDto): Promise<User> {
    const command: CreateUserCommand = { email: dto.email, name: dto.name };
    try {
      return await firstValueFrom(
        this.users.send<User, CreateUserCommand>(USER_CREATE, command).pipe(timeout(USER_SERVICE_TIMEOUT_MS)),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServiceUnavailableException(`the user service did not answer: ${reason}`);
    }
  }
}

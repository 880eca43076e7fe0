import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { USER_CREATE, type CreateUserCommand, type User } from '../../shared/src/events.js';
import { UsersService } from './users.service.js';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(USER_CREATE)
  create(@Payload() command: CreateUserCommand): Promise<User> {
    return this.users.create(command);
  }
}

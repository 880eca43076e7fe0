import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches } from 'class-validator';
import type { CreateUserCommand } from '../../../shared/src/events.js';

/** The body of POST /users. The ValidationPipe rejects anything else with a 400. */
export class CreateUserDto implements CreateUserCommand {
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  // "   " is no name: spaces around it are dropped before the length is checked.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters long' })
  // NUL, escapes, line breaks: nothing a name holds, and trouble in logs and mail headers.
  @Matches(/^\P{Cc}*$/u, { message: 'name must not contain control characters' })
  name: string;
}

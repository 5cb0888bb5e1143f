import { Injectable } from '@nestjs/common';

/** The time source of every business rule; tests replace it instead of sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

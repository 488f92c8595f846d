import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { LogsService } from './logs.service.js';

@Controller()
export class LogsController {
  constructor(@Inject(LogsService) private readonly logsService: LogsService) {}

  @Get()
  summary() {
    return this.logsService.summary();
  }

  // 200, not Nest's default 201: the field report's k6 script checks `r.status == 200` on this POST.
  @Post()
  @HttpCode(200)
  create() {
    return this.logsService.create();
  }
}

import type { Type as ClassType } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Keeps OFFSET within what PostgreSQL accepts; nobody pages this deep. */
export const MAX_PAGE = 1_000_000;

export class PageQueryDto {
  @ApiProperty({
    required: false,
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE,
    default: 1,
    description: 'Page number, starting at 1',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  @ApiProperty({ required: false, type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  page_size: number = DEFAULT_PAGE_SIZE;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

export function toPage<T>(items: T[], total: number, query: PageQueryDto): Page<T> {
  return { items, total, page: query.page, page_size: query.page_size, pages: Math.ceil(total / query.page_size) };
}

export function pageOffset(query: PageQueryDto): number {
  return (query.page - 1) * query.page_size;
}

/**
 * One page of a query and the count of all its matches: the one list-and-count of every collection.
 * skip/take rather than offset/limit, so a query that joins to-many relations still pages by its root rows.
 */
export async function findPage<Row extends ObjectLiteral, Item>(
  rows: SelectQueryBuilder<Row>,
  query: PageQueryDto,
  toItems: (rows: Row[]) => Item[] | Promise<Item[]>,
): Promise<Page<Item>> {
  const [found, total] = await rows.skip(pageOffset(query)).take(query.page_size).getManyAndCount();
  return toPage(await toItems(found), total, query);
}

/** The documented envelope class of a collection of `item` (one per item type, named `<Item>PageDto`). */
export function PageDto<T>(item: ClassType<T>): ClassType<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item], maxItems: MAX_PAGE_SIZE })
    items!: T[];

    @ApiProperty({ example: 1 })
    total!: number;

    @ApiProperty({ example: 1 })
    page!: number;

    @ApiProperty({ example: DEFAULT_PAGE_SIZE })
    page_size!: number;

    @ApiProperty({ example: 1, description: '0 when total is 0' })
    pages!: number;
  }
  Object.defineProperty(PageOfItems, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return PageOfItems;
}

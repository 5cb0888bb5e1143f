import type { Team } from './team.entity';
import type { TeamDto } from './dto/team.dto';

export function toTeamDto(team: Team): TeamDto {
  return {
    id: team.id,
    name: team.name,
    members: [...(team.members ?? [])]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.userId.localeCompare(b.userId))
      .map((member) => ({ user_id: member.userId, role: member.role })),
    created_at: team.createdAt.toISOString(),
  };
}

import { PNG, sha256 } from '../attachment-files';
import {
  type Action,
  ADMIN,
  attachmentUrl,
  commentUrl,
  clientFor,
  DEVOPS_ENGINEER,
  END_USER,
  itemsOf,
  MANAGER,
  type Matrix,
  postComment,
  type Row,
  STAFF,
  TEAM_LEAD,
  ticketUrl,
  uniqueWord,
  upload,
  uploadFile,
  type World,
} from './harness';

/**
 * Spec §7 for comments (public and internal; edit and delete, own and others'), attachments (upload, list,
 * download, delete; on public comments and on internal notes) and where internal content shows up (comment
 * and attachment lists, history, search). Internal content does not exist for a requester: 404, never 403.
 */

const seesInternal = (w: World) => w.actor.role !== END_USER;

/** The reporter of the row's ticket: the one requester who may see it. */
const reporterOf = (w: World) => (w.ticket!.reporter_id === w.actor.id ? w.actor : w.requester);

const EDITED = 'Corrected: the disk filled up at 03:10.';

const actions: Record<string, Action> = {
  'list comments (one public, one internal)': {
    route: 'GET /api/v1/tickets/:ticket_id/comments',
    prepare: async (w) => {
      await postComment(w, w.engineer, w.ticket!.id);
    },
    request: (w) => w.call.get(ticketUrl(w, '/comments')),
    verify: (res, w) => {
      const internal = itemsOf(res).filter((comment) => comment.is_internal);
      expect(itemsOf(res)).toHaveLength(seesInternal(w) ? 2 : 1);
      expect(internal.map((comment) => comment.id)).toEqual(seesInternal(w) ? [w.comment!.id] : []);
    },
  },
  'post a public comment': {
    route: 'POST /api/v1/tickets/:ticket_id/comments',
    request: (w) => w.call.post(ticketUrl(w, '/comments'), { content: 'Still failing after the restart.' }),
    verify: (res, w) => expect(res.body).toMatchObject({ author_id: w.actor.id, is_internal: false }),
  },
  'post an internal note': {
    route: 'POST /api/v1/tickets/:ticket_id/comments',
    request: (w) =>
      w.call.post(ticketUrl(w, '/comments'), { content: 'Suspect the new log rotation job.', is_internal: true }),
    verify: (res, w) => expect(res.body).toMatchObject({ author_id: w.actor.id, is_internal: true }),
  },
  'edit comment': {
    route: 'PUT /api/v1/comments/:comment_id',
    request: (w) => w.call.put(commentUrl(w), { content: EDITED }),
    verify: (res) => expect(res.body).toMatchObject({ content: EDITED, edited: true }),
  },
  'delete comment': {
    route: 'DELETE /api/v1/comments/:comment_id',
    request: (w) => w.call.delete(commentUrl(w)),
    verify: async (_res, w) => {
      const left = await w.asAdmin.get(ticketUrl(w, '/comments')).expect(200);
      expect(itemsOf(left).map((comment) => comment.id)).not.toContain(w.comment!.id);
    },
  },
  'history (with an internal note)': {
    route: 'GET /api/v1/tickets/:ticket_id/history',
    request: (w) => w.call.get(ticketUrl(w, '/history')),
    verify: (res, w) => {
      const internal = itemsOf(res).filter((entry) => entry.metadata?.internal === true);
      if (seesInternal(w)) expect(internal.length).toBeGreaterThan(0);
      else expect(internal).toEqual([]);
    },
  },
  'search a word that only an internal note contains': {
    route: 'GET /api/v1/tickets',
    prepare: async (w) => {
      const word = uniqueWord();
      const note = await postComment(w, w.engineer, w.ticket!.id, { internal: true, content: `Root cause: ${word}` });
      w.comment = { ...note, searched: word };
    },
    request: (w) => w.call.get(`/api/v1/tickets?q=${w.comment!.searched}`),
    verify: (res, w) => {
      expect(itemsOf(res).map((ticket) => ticket.id)).toEqual(seesInternal(w) ? [w.ticket!.id] : []);
    },
  },

  'list attachments (one public, one of an internal note)': {
    route: 'GET /api/v1/tickets/:ticket_id/attachments',
    prepare: async (w) => {
      await uploadFile(w, w.engineer, w.ticket!.id);
    },
    request: (w) => w.call.get(ticketUrl(w, '/attachments')),
    verify: (res, w) => {
      const ids = itemsOf(res).map((attachment) => attachment.id);
      expect(ids).toHaveLength(seesInternal(w) ? 2 : 1);
      if (seesInternal(w)) expect(ids).toContain(w.attachment!.id);
      else expect(ids).not.toContain(w.attachment!.id);
    },
  },
  'upload attachment': {
    route: 'POST /api/v1/tickets/:ticket_id/attachments',
    request: (w) => upload(w.call, w.ticket!.id),
    verify: (res, w) => expect(res.body).toMatchObject({ ticket_id: w.ticket!.id, uploaded_by: w.actor.id }),
  },
  'upload onto the comment': {
    route: 'POST /api/v1/tickets/:ticket_id/attachments',
    request: (w) => upload(w.call, w.ticket!.id, w.comment!.id),
    verify: async (res, w) => {
      expect(res.body).toMatchObject({ comment_id: w.comment!.id, uploaded_by: w.actor.id });
      // An upload onto an internal note is internal: it does not exist for the ticket's requester.
      const asReporter = await clientFor(w.t, reporterOf(w)).get(`/api/v1/attachments/${res.body.id}`);
      expect(asReporter.status).toBe(w.comment!.is_internal ? 404 : 200);
    },
  },
  'download attachment': {
    route: 'GET /api/v1/attachments/:attachment_id',
    request: (w) => w.call.get(attachmentUrl(w)),
    verify: (res) => expect(sha256(res.body as Buffer)).toBe(sha256(PNG)),
  },
  'delete attachment': {
    route: 'DELETE /api/v1/attachments/:attachment_id',
    request: (w) => w.call.delete(attachmentUrl(w)),
    verify: async (_res, w) => {
      await w.asAdmin.get(attachmentUrl(w)).expect(404);
    },
  },
};

/** Only the author edits a comment (§7: "edit comment: author" for every role, admins included). */
const editRows: Row[] = [
  ['edit comment', END_USER, 'own-comment', 200],
  ['edit comment', END_USER, 'others-comment', 403],
  ['edit comment', END_USER, 'others-note', 404],
  ['edit comment', END_USER, 'invisible-comment', 404],
  ['edit comment', DEVOPS_ENGINEER, 'own-comment', 200],
  ['edit comment', DEVOPS_ENGINEER, 'own-note', 200],
  ['edit comment', DEVOPS_ENGINEER, 'others-comment', 403],
  ['edit comment', DEVOPS_ENGINEER, 'others-note', 403],
  ['edit comment', TEAM_LEAD, 'own-comment', 200],
  ['edit comment', TEAM_LEAD, 'others-comment', 403],
  ['edit comment', TEAM_LEAD, 'others-note', 403],
  ['edit comment', MANAGER, 'own-comment', 200],
  ['edit comment', MANAGER, 'others-comment', 403],
  ['edit comment', ADMIN, 'own-comment', 200],
  ['edit comment', ADMIN, 'others-comment', 403],
  ['edit comment', ADMIN, 'others-note', 403],
];

/** The author deletes a comment, an admin any comment. */
const deleteRows: Row[] = [
  ['delete comment', END_USER, 'own-comment', 204],
  ['delete comment', END_USER, 'others-comment', 403],
  ['delete comment', END_USER, 'others-note', 404],
  ['delete comment', END_USER, 'invisible-comment', 404],
  ['delete comment', DEVOPS_ENGINEER, 'own-comment', 204],
  ['delete comment', DEVOPS_ENGINEER, 'own-note', 204],
  ['delete comment', DEVOPS_ENGINEER, 'others-comment', 403],
  ['delete comment', DEVOPS_ENGINEER, 'others-note', 403],
  ['delete comment', TEAM_LEAD, 'own-comment', 204],
  ['delete comment', TEAM_LEAD, 'others-comment', 403],
  ['delete comment', MANAGER, 'own-comment', 204],
  ['delete comment', MANAGER, 'others-comment', 403],
  ['delete comment', MANAGER, 'others-note', 403],
  ['delete comment', ADMIN, 'own-comment', 204],
  ['delete comment', ADMIN, 'others-comment', 204],
  ['delete comment', ADMIN, 'others-note', 204],
];

/** The uploader deletes an attachment, an admin any attachment. */
const deleteAttachmentRows: Row[] = [
  ['delete attachment', END_USER, 'own-attachment', 204],
  ['delete attachment', END_USER, 'others-attachment', 403],
  ['delete attachment', END_USER, 'note-attachment', 404],
  ['delete attachment', END_USER, 'invisible-attachment', 404],
  ['delete attachment', DEVOPS_ENGINEER, 'own-attachment', 204],
  ['delete attachment', DEVOPS_ENGINEER, 'others-attachment', 403],
  ['delete attachment', DEVOPS_ENGINEER, 'note-attachment', 403],
  ['delete attachment', TEAM_LEAD, 'own-attachment', 204],
  ['delete attachment', TEAM_LEAD, 'others-attachment', 403],
  ['delete attachment', MANAGER, 'own-attachment', 204],
  ['delete attachment', MANAGER, 'others-attachment', 403],
  ['delete attachment', ADMIN, 'own-attachment', 204],
  ['delete attachment', ADMIN, 'others-attachment', 204],
  ['delete attachment', ADMIN, 'note-attachment', 204],
];

const rows: Row[] = [
  ['list comments (one public, one internal)', END_USER, 'others-note', 200],
  ['list comments (one public, one internal)', END_USER, 'invisible-comment', 404],
  ...STAFF.map((role): Row => ['list comments (one public, one internal)', role, 'others-note', 200]),

  // Public comments: requesters on their own tickets, staff on any ticket (also one they may not edit).
  ['post a public comment', END_USER, 'own', 201],
  ['post a public comment', END_USER, 'others', 404],
  ['post a public comment', DEVOPS_ENGINEER, 'others', 201],
  ['post a public comment', DEVOPS_ENGINEER, 'assigned-other', 201],
  ['post a public comment', TEAM_LEAD, 'other-team', 201],
  ['post a public comment', MANAGER, 'others', 201],
  ['post a public comment', ADMIN, 'others', 201],
  ['post an internal note', END_USER, 'own', 403],
  ['post an internal note', END_USER, 'others', 404],
  ['post an internal note', DEVOPS_ENGINEER, 'assigned-other', 201],
  ['post an internal note', TEAM_LEAD, 'other-team', 201],
  ['post an internal note', MANAGER, 'others', 201],
  ['post an internal note', ADMIN, 'others', 201],
  ...editRows,
  ...deleteRows,

  ['history (with an internal note)', END_USER, 'others-note', 200],
  ...STAFF.map((role): Row => ['history (with an internal note)', role, 'others-note', 200]),
  ['search a word that only an internal note contains', END_USER, 'own', 200],
  ...STAFF.map((role): Row => ['search a word that only an internal note contains', role, 'others', 200]),

  ['list attachments (one public, one of an internal note)', END_USER, 'note-attachment', 200],
  ['list attachments (one public, one of an internal note)', END_USER, 'invisible-attachment', 404],
  ...STAFF.map((role): Row => ['list attachments (one public, one of an internal note)', role, 'note-attachment', 200]),

  // Uploading follows public commenting.
  ['upload attachment', END_USER, 'own', 201],
  ['upload attachment', END_USER, 'others', 404],
  ['upload attachment', DEVOPS_ENGINEER, 'others', 201],
  ['upload attachment', DEVOPS_ENGINEER, 'assigned-other', 201],
  ['upload attachment', TEAM_LEAD, 'other-team', 201],
  ['upload attachment', MANAGER, 'others', 201],
  ['upload attachment', ADMIN, 'others', 201],
  ...[END_USER, ...STAFF].map((role): Row => ['upload onto the comment', role, 'others-comment', 201]),
  // An internal note does not exist for a requester: its id in comment_id is a bad field, as any unknown comment.
  ['upload onto the comment', END_USER, 'others-note', 400],
  ...STAFF.map((role): Row => ['upload onto the comment', role, 'others-note', 201]),

  ['download attachment', END_USER, 'own-attachment', 200],
  ['download attachment', END_USER, 'others-attachment', 200],
  ['download attachment', END_USER, 'note-attachment', 404],
  ['download attachment', END_USER, 'invisible-attachment', 404],
  ...STAFF.map((role): Row => ['download attachment', role, 'others-attachment', 200]),
  ...STAFF.map((role): Row => ['download attachment', role, 'note-attachment', 200]),
  ...deleteAttachmentRows,
];

export const ITEM_MATRIX: Matrix = { actions, rows };

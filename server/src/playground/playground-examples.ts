import type { ExampleOperation } from './playground.routes';

/** The operations the IDE opens with: sign-in first, then what analysts and administrators ask most. */
export const EXAMPLE_OPERATIONS: ExampleOperation[] = [
  {
    name: '1 登录 Sign in',
    query: `# Run this, then put the accessToken in "Set Headers" as
#   Authorization: Bearer <accessToken>
mutation SignIn($username: String!, $password: String!) {
  login(username: $username, password: $password) {
    accessToken
    accessTokenExpiresAt
    refreshToken
    account { username role scopeRegion { name } }
  }
}`,
    variables: { username: 'analyst', password: '' },
  },
  {
    name: '2 未分配干部的困难家庭 Unassigned hardship households',
    query: `query UnassignedHardship($after: String) {
  households(first: 50, after: $after, filter: { targetGroup: HARDSHIP, assigned: false, status: ACTIVE }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id headName address region { name } }
  }
}`,
  },
  {
    name: '3 重大积访案件 Major backlog cases',
    query: `query MajorCases {
  petitionCases(first: 50, filter: { majorBacklog: true }) {
    totalCount
    nodes { id status receivedOn responsibleLeader { name post } household { headName region { name } } }
  }
}`,
  },
  {
    name: '4 逾期诉求 Overdue demands',
    query: `query OverdueDemands {
  demands(first: 50, filter: { overdueOnly: true }) {
    totalCount
    nodes { id category text dueOn status household { headName region { name } } }
  }
}`,
  },
  {
    name: '5 有余力的干部 Cadres with capacity',
    query: `query CadresWithCapacity {
  cadres(first: 50, filter: { active: true, hasCapacity: true }) {
    totalCount
    nodes { id name post householdCapacity unit { name } }
  }
}`,
  },
];

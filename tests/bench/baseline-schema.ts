/** The baseline's schema: the real server's types for the two operations, nothing else. */
export const SDL = /* GraphQL */ `
  scalar DateTimeISO
  scalar LocalDate

  enum TargetGroup {
    HARDSHIP
    KEY_FOCUS
    PETITIONER
  }
  enum HelpKind {
    VISIT
    POLICY_EXPLANATION
    PROBLEM_SOLVED
    FUNDS
    MATERIALS
    REFERRAL
  }
  enum DemandCategory {
    LIVELIHOOD
    HOUSING
    MEDICAL
    EMPLOYMENT
    EDUCATION
    SOCIAL_SECURITY
    LEGAL
    INFRASTRUCTURE
    OTHER
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type MyHousehold {
    id: ID!
    headName: String!
    address: String!
    regionName: String!
    targetGroups: [TargetGroup!]!
    lastVisitAt: DateTimeISO
    daysSinceLastVisit: Int
    visitIntervalDays: Int!
    nextVisitDueAt: DateTimeISO!
    visitOverdue: Boolean!
    openDemandCount: Int!
  }

  type MyHouseholdConnection {
    nodes: [MyHousehold!]!
    pageInfo: PageInfo!
  }

  type HelpRecord {
    id: ID!
    clientId: String!
    versionNumber: Int!
  }

  input DemandInput {
    category: DemandCategory!
    text: String!
    dueOn: LocalDate
  }

  input HelpRecordInput {
    clientId: String!
    householdId: ID!
    occurredAt: DateTimeISO!
    kinds: [HelpKind!]!
    summary: String!
    fundsFen: Int = 0
    materialsFen: Int = 0
    problemsSolved: Int = 0
    demandsRaised: [DemandInput!] = []
    resolvedDemandIds: [ID!] = []
    photoIds: [String!] = []
    latitude: Float
    longitude: Float
  }

  type Query {
    myHouseholds(first: Int, after: String): MyHouseholdConnection!
  }
  type Mutation {
    submitHelpRecord(input: HelpRecordInput!): HelpRecord!
  }
`;

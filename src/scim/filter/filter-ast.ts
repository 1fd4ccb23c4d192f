// The parsed form of a SCIM filter (RFC 7644 §3.4.2.2), independent of storage.

export type CompareOperator = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export type FilterValue = string | number | boolean | null;

/** An attribute path as written: optional schema URN, attribute name, optional sub-attribute. */
export interface AttributePath {
  uri?: string;
  name: string;
  subAttribute?: string;
}

export type FilterNode = LogicalNode | NotNode | CompareNode | PresentNode | ValuePathNode;

export interface LogicalNode {
  type: "and" | "or";
  filters: FilterNode[];
}

export interface NotNode {
  type: "not";
  filter: FilterNode;
}

export interface CompareNode {
  type: "compare";
  attribute: AttributePath;
  operator: CompareOperator;
  value: FilterValue;
}

export interface PresentNode {
  type: "present";
  attribute: AttributePath;
}

/**
 * `emails[type eq "work"]`: some element of the attribute matches `filter`, whose paths are
 * sub-attributes of that element. Entra's `emails[type eq "work"].value eq "x"` parses to the same
 * node with `value eq "x"` and-ed into `filter` (the same element must satisfy both).
 */
export interface ValuePathNode {
  type: "valuePath";
  attribute: AttributePath;
  filter: FilterNode;
}

variable "name" {}
variable "provider_arn" {}
variable "namespace" {}
locals {
  issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.provider_arn]
    }
    condition {
      test     = "StringLike"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:*:*"]
    }
  }
}
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
output "role_arn" {
  value = aws_iam_role.this.arn
}
